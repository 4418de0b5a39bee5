/**
 * The command line: picocli commands only. Each command parses its options, calls one library method and prints
 * the result (stdout) or the error (stderr, one line). Exit codes: 0 success, 2 usage error, 1 any other error.
 *
 * <p>May import every other package; nothing imports {@code cli}.
 */
package org.exporters4j.cli;
