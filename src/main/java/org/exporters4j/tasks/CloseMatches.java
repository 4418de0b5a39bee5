package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The few names closest to a misspelt one, for "did you mean" in error messages: edit distance (Levenshtein) within
 * a third of the name's length (at least 2), or names that contain the query or that the query contains; nearest
 * first, ties in the candidates' own order.
 */
final class CloseMatches {
    private CloseMatches() {}

    static List<String> of(String query, Collection<String> candidates, int limit) {
        String wanted = query == null ? "" : query.strip().toLowerCase(Locale.ROOT);
        if (wanted.isEmpty()) {
            return List.of();
        }
        int threshold = Math.max(2, wanted.length() / 3);
        record Scored(String name, int distance, int position) {}
        List<Scored> scored = new ArrayList<>();
        int position = 0;
        for (String candidate : candidates) {
            String lower = candidate.toLowerCase(Locale.ROOT);
            int distance = distance(wanted, lower);
            boolean contains = wanted.length() >= 3 && (lower.contains(wanted) || wanted.contains(lower));
            if (distance <= threshold || contains) {
                scored.add(new Scored(candidate, contains ? Math.min(distance, threshold) : distance, position));
            }
            position++;
        }
        scored.sort(Comparator.comparingInt(Scored::distance).thenComparingInt(Scored::position));
        return scored.stream().limit(limit).map(Scored::name).toList();
    }

    /** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
