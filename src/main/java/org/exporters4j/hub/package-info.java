/**
 * The Hugging Face Hub: repository ids and revisions, model info, downloads into huggingface_hub's cache layout
 * (shared with Python: a cache filled by either is reused by the other), offline mode, and the snapshot of the files
 * an export needs.
 *
 * <p>Entry point: {@link org.exporters4j.hub.HubClient} with {@link org.exporters4j.hub.HubSettings} (resolved from
 * an environment map, as huggingface_hub reads {@code HF_ENDPOINT}, {@code HF_HUB_CACHE}, {@code HF_HOME},
 * {@code HF_TOKEN}, {@code HF_HUB_OFFLINE}). Uses {@code java.net.http} and Jackson only.
 *
 * <p>Imports no other exporters4j package but the root.
 */
package org.exporters4j.hub;
