package dev.opsflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine a bench ran on, for the results and the README's table. */
final class Machine {
  private Machine() {}

  static Map<String, Object> facts() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("cpuModel", procLine("/proc/cpuinfo", "model name"));
    m.put("memTotal", procLine("/proc/meminfo", "MemTotal"));
    m.put(
        "jdk",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vm.vendor")
            + ")");
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("maxHeap", Runtime.getRuntime().maxMemory() / 1048576 + " MiB");
    return m;
  }

  static String describe() {
    Map<String, Object> m = facts();
    return m.get("cpus")
        + " CPUs ("
        + m.get("cpuModel")
        + "), "
        + m.get("memTotal")
        + " RAM, "
        + m.get("jdk");
  }

  private static String procLine(String file, String key) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }
}
