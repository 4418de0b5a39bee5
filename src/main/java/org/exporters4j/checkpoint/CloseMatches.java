package org.exporters4j.checkpoint;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The few names closest to a misspelt one, by edit distance, for the "did you mean" part of an error message about
 * an unknown tensor (house rule: errors name a few close matches). Public for the readers in the
 * sub-packages; {@link #distance(String, String)} also ranks tasks' auto-class suggestions.
 */
public final class CloseMatches {
    private static final int LIMIT = 3;

    private CloseMatches() {}

    /** Up to three candidates within an edit distance of a third of the name's length (at least 3), closest first. */
    public static List<String> of(String name, Collection<String> candidates) {
        int allowed = Math.max(3, name.length() / 3);
        record Scored(String candidate, int distance) {}
        return candidates.stream()
                .map(candidate -> new Scored(candidate, distance(name, candidate, allowed)))
                .filter(scored -> scored.distance() <= allowed)
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::candidate))
                .limit(LIMIT)
                .map(Scored::candidate)
                .toList();
    }

    /** The sentence fragment for an unknown tensor: {@code ; close matches: a, b} or nothing. */
    public static String describe(String name, Collection<String> candidates) {
        List<String> matches = of(name, candidates);
        return matches.isEmpty() ? "" : "; close matches: " + String.join(", ", matches);
    }

    /** Levenshtein distance, uncapped: insertions, deletions and substitutions each cost 1. */
    public static int distance(String a, String b) {
        return distance(a, b, Math.max(a.length(), b.length()));
    }

    /** Levenshtein distance, or {@code cap + 1} as soon as it is known to exceed {@code cap}. */
    private static int distance(String a, String b, int cap) {
        if (Math.abs(a.length() - b.length()) > cap) {
            return cap + 1;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            int rowMinimum = current[0];
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
                rowMinimum = Math.min(rowMinimum, current[j]);
            }
            if (rowMinimum > cap) {
                return cap + 1;
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
