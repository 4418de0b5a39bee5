package org.exporters4j.hub;

/** Whether the Hub may be contacted. {@code OFFLINE} (HF_HUB_OFFLINE=1) serves files from the cache only. */
public enum NetworkMode {
    ONLINE,
    OFFLINE
}
