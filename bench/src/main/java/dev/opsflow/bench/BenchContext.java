package dev.opsflow.bench;

import java.nio.file.Path;
import java.util.Map;

/**
 * What every benchmark gets: the sandbox's settings, the sizes to run with, and the results to add
 * to.
 *
 * @param sandbox settings that point opsflow at the sandbox (KUBECONFIG, Kafka, PostgreSQL)
 * @param kubernetes the sandbox's Kubernetes API, to seed Deployments and read what was done
 * @param quick smoke sizes instead of the full ones
 * @param devJar the dev build's jar, for the CLI latency
 */
record BenchContext(
    Map<String, String> sandbox,
    dev.opsflow.sandbox.kubernetes.KubernetesSandbox kubernetes,
    Sizes sizes,
    Results results,
    Path devJar) {}
