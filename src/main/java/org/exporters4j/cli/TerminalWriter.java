package org.exporters4j.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * What the CLI prints, made inert for a terminal: values quoted from a checkpoint (a config's model type, a tensor
 * name, a file name) may hold control characters, and an ANSI escape sequence or a bidirectional override in one
 * could rewrite what the user sees. Every character that a terminal acts on instead of showing is written as its
 * Java escape ({@code \u001b}): C0 controls except line feed and tab, DEL, C1 controls, and Unicode's bidirectional
 * formatting characters. Escaping is idempotent (an escape is plain text), so a message escaped where it is built
 * and again where it is printed reads the same.
 */
final class TerminalWriter extends FilterWriter {
    TerminalWriter(Writer target) {
        super(target);
    }

    /** {@code text} with every character a terminal would act on written as its escape. */
    static String escape(String text) {
        StringBuilder escaped = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (acts(c)) {
                if (escaped == null) {
                    escaped = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                escaped.append(String.format("\\u%04x", (int) c));
            } else if (escaped != null) {
                escaped.append(c);
            }
        }
        return escaped == null ? text : escaped.toString();
    }

    /** True for a character a terminal acts on instead of showing (line feed and tab are layout, kept). */
    static boolean acts(char c) {
        return c < 0x20 && c != '\n' && c != '\t'
                || c >= 0x7f && c <= 0x9f
                || c == '\u061c' || c == '\u200e' || c == '\u200f'
                || c >= '\u202a' && c <= '\u202e'
                || c >= '\u2066' && c <= '\u2069';
    }

    @Override
    public void write(int c) throws IOException {
        out.write(acts((char) c) ? escape(String.valueOf((char) c)) : String.valueOf((char) c));
    }

    @Override
    public void write(char[] buffer, int offset, int length) throws IOException {
        out.write(escape(new String(buffer, offset, length)));
    }

    @Override
    public void write(String text, int offset, int length) throws IOException {
        out.write(escape(text.substring(offset, offset + length)));
    }
}
