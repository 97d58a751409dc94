package dev.opsflow.activities;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void escapesLineBreaksAnsiEscapesAndInvisibleCharacters() {
    assertThat(Printable.quoted("a\r\nINFO b")).isEqualTo("'a\\r\\nINFO b'");
    assertThat(Printable.quoted("\u001b[31mred")).isEqualTo("'\\u001B[31mred'");
    assertThat(Printable.quoted("x\u202Ey")).as("bidi override").isEqualTo("'x\\u202Ey'");
    assertThat(Printable.quoted("x\u2028y")).as("line separator").isEqualTo("'x\\u2028y'");
    assertThat(Printable.quoted("it's\\")).isEqualTo("'it\\'s\\\\'");
    assertThat(Printable.quoted("caf\u00e9 \u2603")).isEqualTo("'caf\u00e9 \u2603'");
    assertThat(Printable.quoted(null)).isEqualTo("null");
  }

  @Test
  void cutsLongValuesAndSaysHowLongTheyWere() {
    String shown = Printable.quoted("a".repeat(300));
    assertThat(shown).isEqualTo("'" + "a".repeat(80) + "'... (300 chars)");
    assertThat(Printable.quoted("a".repeat(80))).isEqualTo("'" + "a".repeat(80) + "'");
  }

  @Test
  void neverCutsASurrogatePairInHalf() {
    String emoji = "\uD83D\uDE00";
    String shown = Printable.quoted("a".repeat(79) + emoji + "tail");
    assertThat(shown).startsWith("'" + "a".repeat(79) + emoji + "'...");
  }
}
