/**
 * The Hugging Face Hub: repository ids, model info, downloads into huggingface_hub's cache layout, offline mode.
 *
 * <p>Imports no other exporters4j package but the root.
 */
package org.exporters4j.hub;
