package dev.opsflow.workflows.remediation.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class LogCleanupTest {
  @Test
  void readsUsePercentFromPosixDf() {
    String df =
        """
        Filesystem     1024-blocks     Used Available Capacity Mounted on
        /dev/nvme0n1p1    10255636  9127056   1128580      90% /var/log/app
        """;
    assertThat(LogCleanup.usedPercent(df)).isEqualTo(OptionalInt.of(90));
    assertThat(LogCleanup.usedPercent("df: /nope: No such file or directory")).isEmpty();
    assertThat(LogCleanup.usedPercent(null)).isEmpty();
  }

  @Test
  void deleteCommandIsArgvLimitedToTheDirectoryAndAge() {
    assertThat(LogCleanup.deleteCommand("/var/log/app", 7))
        .containsExactly(
            "find",
            "/var/log/app",
            "-xdev",
            "-type",
            "f",
            "(",
            "-name",
            "*.log",
            "-o",
            "-name",
            "*.log.*",
            ")",
            "-mmin",
            "+10080",
            "-print",
            "-delete");
    assertThat(LogCleanup.deletedFiles("/var/log/app/a.log\n/var/log/app/b.log.1\n")).isEqualTo(2);
    assertThat(LogCleanup.deletedFiles("")).isZero();
  }
}
