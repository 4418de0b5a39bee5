package org.exporters4j.hub;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * The one redaction of secrets from what the Hub client prints: credentials in a URL's user-info
 * ({@code HF_ENDPOINT=http://user:password@host}), the query of a URL (a CDN's signed URL carries its signature
 * there) and anything shaped like a Hugging Face access token ({@code hf_…}). {@link HubException} applies
 * {@link #text} to every message, so no Hub error can echo them whatever built it; {@link #url} is how a URL is
 * written into a message.
 */
final class Redaction {
    static final String HIDDEN = "***";

    /** {@code scheme://user:password@} (user-info ends at the last '@' before the path). */
    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#\\s@]*@");
    /** Hugging Face user access tokens ({@code hf_} and 30-odd letters and digits; older {@code api_org_} ones). */
    private static final Pattern TOKEN = Pattern.compile("\\b(hf_|api_org_)[A-Za-z0-9]{8,}");

    private Redaction() {
    }

    /** {@code text} with URL user-info and token-shaped words replaced by {@value #HIDDEN}. */
    static String text(String text) {
        if (text == null) {
            return null;
        }
        String withoutUserInfo = USER_INFO.matcher(text).replaceAll("$1" + HIDDEN + "@");
        return TOKEN.matcher(withoutUserInfo).replaceAll("$1" + HIDDEN);
    }

    /** {@code text} with also every occurrence of {@code secret} (the token in use, whatever its shape) hidden. */
    static String text(String text, String secret) {
        String redacted = text(text);
        return secret.isEmpty() || redacted == null ? redacted : redacted.replace(secret, HIDDEN);
    }

    /** A URL for a message: user-info and query hidden, fragment dropped. */
    static String url(URI url) {
        StringBuilder out = new StringBuilder();
        if (url.getScheme() != null) {
            out.append(url.getScheme()).append(':');
        }
        if (url.getRawAuthority() != null) {
            out.append("//");
            if (url.getRawUserInfo() != null) {
                out.append(HIDDEN).append('@');
            }
            out.append(url.getHost() != null ? url.getHost() : url.getRawAuthority().replaceAll("^.*@", ""));
            if (url.getHost() != null && url.getPort() >= 0) {
                out.append(':').append(url.getPort());
            }
        }
        out.append(url.getRawPath() != null ? url.getRawPath() : url.getRawSchemeSpecificPart());
        if (url.getRawQuery() != null) {
            out.append('?').append(HIDDEN);
        }
        return text(out.toString());
    }
}
