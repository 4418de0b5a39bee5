package org.exporters4j.hub;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The one way a Hub request follows redirects (the HTTP client follows none by itself): each {@code Location} is
 * parsed, resolved against the current URL and accepted only when it is an http(s) URL with a host, and more than
 * {@link HubLimits#MAX_REDIRECTS} hops for one request are a redirect loop. A server that redirects to
 * {@code file:}, {@code ftp:} or a malformed URL gets a one-line error naming the URL and the problem.
 */
final class RedirectChain {
    private static final Set<String> SCHEMES = Set.of("http", "https");

    private final URI start;
    private URI current;
    private int hops;

    RedirectChain(URI start) {
        this.start = Objects.requireNonNull(start, "start");
        this.current = start;
    }

    /** Where the next request goes. */
    URI current() {
        return current;
    }

    /**
     * One checked hop.
     *
     * @param target   the checked, absolute URL the redirect leads to
     * @param relative whether the {@code Location} was relative (same server, e.g. a renamed repository) rather
     *                 than absolute (e.g. the CDN)
     */
    record Hop(URI target, boolean relative) {
    }

    /** Follows the redirect answer {@code response} (a 3xx) of the request to {@link #current()}. */
    Hop follow(HttpResponse<?> response, RequestTarget target) {
        String from = Redaction.url(current);
        String location = response.headers().firstValue("Location").orElseThrow(() -> new HubException(
                HubException.Kind.INVALID_RESPONSE, "HTTP " + response.statusCode() + " without a Location header "
                + "from " + from + " for " + target.describe() + "; the server is broken or not a Hugging Face "
                + "Hub: check HF_ENDPOINT"));
        URI parsed;
        try {
            parsed = new URI(location.strip());
        } catch (URISyntaxException e) {
            throw new HubException(HubException.Kind.INVALID_RESPONSE, from + " redirected (HTTP "
                    + response.statusCode() + ") to a malformed URL '" + Redaction.text(HubRequests.shown(location))
                    + "' (" + e.getReason() + ") for " + target.describe() + "; the server is broken or not a "
                    + "Hugging Face Hub: check HF_ENDPOINT", e);
        }
        URI next = current.resolve(parsed);
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme) || next.getHost() == null) {
            throw new HubException(HubException.Kind.INVALID_RESPONSE, from + " redirected (HTTP "
                    + response.statusCode() + ") to '" + Redaction.url(next) + "', which is not an http(s) URL with "
                    + "a host, for " + target.describe() + "; redirects are followed only to http and https: the "
                    + "server is broken or hostile, check HF_ENDPOINT");
        }
        hops++;
        if (hops > HubLimits.MAX_REDIRECTS) {
            throw new HubException(HubException.Kind.INVALID_RESPONSE, "redirect loop: " + Redaction.url(start)
                    + " was redirected " + hops + " times (the limit is " + HubLimits.MAX_REDIRECTS + "), the last "
                    + "time to " + Redaction.url(next) + ", for " + target.describe() + "; the server is "
                    + "misconfigured: check HF_ENDPOINT and proxy settings");
        }
        current = next;
        return new Hop(next, parsed.getScheme() == null && parsed.getHost() == null);
    }
}
