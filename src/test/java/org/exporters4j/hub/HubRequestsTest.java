package org.exporters4j.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** URLs as huggingface_hub builds them, and which hosts see the token. */
class HubRequestsTest {
    private static final HubSettings SETTINGS = new HubSettings(URI.create("https://hub.example/"), Path.of("cache"),
            Optional.of("hf_token"), NetworkMode.ONLINE, Duration.ofSeconds(1), Duration.ofSeconds(1));

    @Test
    void urlsQuoteTheRevisionWhollyAndTheFileNamePerSegment() {
        try (HubRequests requests = new HubRequests(SETTINGS, RetryPolicy.DEFAULT)) {
            assertEquals("https://hub.example/org/m/resolve/refs%2Fpr%2F1/sub/my%20file%C3%A9.json",
                    requests.resolveUrl(RepoId.of("org/m"), Revision.of("refs/pr/1"),
                            new RepoFilePath("sub/my fileé.json")).toString());
            assertEquals("https://hub.example/api/models/gpt2", requests.modelInfoUrl(RepoId.of("gpt2")).toString());
            assertEquals("https://hub.example/api/models/org/m/revision/v1.0",
                    requests.modelInfoUrl(RepoId.of("org/m"), Revision.of("v1.0")).toString());
        }
    }

    @Test
    void theTokenGoesToTheHubsOriginOnly() {
        try (HubRequests requests = new HubRequests(SETTINGS, RetryPolicy.DEFAULT)) {
            assertEquals(Optional.of("Bearer hf_token"), requests.request(URI.create("https://hub.example/x"))
                    .build().headers().firstValue("Authorization"));
            assertEquals(Optional.of("Bearer hf_token"), requests.request(URI.create("https://HUB.example:443/x"))
                    .build().headers().firstValue("Authorization"));
            assertEquals(Optional.empty(), requests.request(URI.create("https://cdn-lfs.hub.example/x"))
                    .build().headers().firstValue("Authorization"));
            assertEquals(Optional.empty(), requests.request(URI.create("http://hub.example/x"))
                    .build().headers().firstValue("Authorization"));
        }
    }

    @Test
    void onlyServerErrorsAndRateLimitsAreTransient() {
        assertTrue(HubRequests.isTransient(500));
        assertTrue(HubRequests.isTransient(503));
        assertTrue(HubRequests.isTransient(429));
        for (int status : new int[] {400, 401, 403, 404, 416}) {
            assertFalse(HubRequests.isTransient(status), Integer.toString(status));
        }
    }
}
