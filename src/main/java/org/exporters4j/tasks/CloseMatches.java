package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The few names closest to a misspelt one, for "did you mean" in error messages: edit distance (adjacent
 * transpositions count as one edit) within a third of the name's length (at least 2), or names that contain the query
 * or that the query contains (ranked as one edit away); nearest first, then by plain distance, then in the candidates' own order.
 */
final class CloseMatches {
    private CloseMatches() {}

    static List<String> of(String query, Collection<String> candidates, int limit) {
        String wanted = query == null ? "" : query.strip().toLowerCase(Locale.ROOT);
        if (wanted.isEmpty()) {
            return List.of();
        }
        int threshold = Math.max(2, wanted.length() / 3);
        record Scored(String name, int score, int distance, int position) {}
        List<Scored> scored = new ArrayList<>();
        int position = 0;
        for (String candidate : candidates) {
            String lower = candidate.toLowerCase(Locale.ROOT);
            int distance = distance(wanted, lower);
            boolean contains = wanted.length() >= 3 && (lower.contains(wanted) || wanted.contains(lower));
            if (distance <= threshold || contains) {
                scored.add(new Scored(candidate, contains ? Math.min(distance, 1) : distance, distance, position));
            }
            position++;
        }
        scored.sort(Comparator.comparingInt(Scored::score).thenComparingInt(Scored::distance)
                .thenComparingInt(Scored::position));
        return scored.stream().limit(limit).map(Scored::name).toList();
    }

    /**
     * Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two adjacent characters
     * each cost 1 ({@code bret} is one edit from {@code bert}).
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
