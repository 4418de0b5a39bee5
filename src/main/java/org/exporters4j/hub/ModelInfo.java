package org.exporters4j.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the Hub says about a model repository at one revision ({@code GET /api/models/{repo_id}[/revision/{rev}]}).
 *
 * @param repo             the repository
 * @param sha              the commit the revision resolved to
 * @param siblings         every file in the repository at that commit ({@code rfilename}), '/'-separated
 * @param pipelineTag      the Hub's task tag, e.g. {@code fill-mask}
 * @param libraryName      e.g. {@code transformers}
 * @param transformersInfo the auto class and pipeline tag the Hub derived, when the repo is a Transformers model
 * @param tags             the repository's tags
 */
public record ModelInfo(RepoId repo, String sha, List<String> siblings, Optional<String> pipelineTag,
                        Optional<String> libraryName, Optional<TransformersInfo> transformersInfo, List<String> tags) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelInfo {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(sha, "sha");
        siblings = List.copyOf(siblings);
        Objects.requireNonNull(pipelineTag, "pipelineTag");
        Objects.requireNonNull(libraryName, "libraryName");
        Objects.requireNonNull(transformersInfo, "transformersInfo");
        tags = List.copyOf(tags);
    }

    /**
     * Reads the Hub's JSON answer. Only {@code sha} is required (without it files cannot be pinned to a commit);
     * other absent fields are empty, as on repositories the Hub has not analysed.
     *
     * @param source names the answer in errors (the URL)
     */
    public static ModelInfo parse(RepoId repo, String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid(source, "it is not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw invalid(source, "it is not a JSON object", null);
        }
        String sha = text(root, "sha").orElseThrow(() -> invalid(source, "it has no \"sha\"", null));
        List<String> siblings = new ArrayList<>();
        JsonNode siblingNodes = root.path("siblings");
        if (!siblingNodes.isMissingNode() && !siblingNodes.isArray()) {
            throw invalid(source, "\"siblings\" is not a list", null);
        }
        for (JsonNode sibling : siblingNodes) {
            text(sibling, "rfilename").ifPresent(siblings::add);
        }
        List<String> tags = new ArrayList<>();
        for (JsonNode tag : root.path("tags")) {
            if (tag.isTextual()) {
                tags.add(tag.asText());
            }
        }
        JsonNode info = root.path("transformersInfo");
        Optional<TransformersInfo> transformersInfo = info.isObject()
                ? Optional.of(new TransformersInfo(text(info, "auto_model"), text(info, "pipeline_tag"),
                        text(info, "processor")))
                : Optional.empty();
        return new ModelInfo(repo, sha, siblings, text(root, "pipeline_tag"), text(root, "library_name"),
                transformersInfo, tags);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().isEmpty()
                ? Optional.of(value.asText()) : Optional.empty();
    }

    private static HubException invalid(String source, String problem, Throwable cause) {
        return new HubException(HubException.Kind.INVALID_RESPONSE, "the model info from " + source
                + " is not what the Hub sends: " + problem + "; check that HF_ENDPOINT points at a Hugging Face Hub",
                cause);
    }
}
