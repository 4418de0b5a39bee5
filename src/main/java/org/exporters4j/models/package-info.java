/**
 * Architectures: one folder per graph family, each building the ONNX graph of one head and variant from a model
 * config and its weights. Speaks in heads and variants, never in task names; which family and flavour builds a model
 * type is a column of the model-type rows in {@code tasks} ({@code ModelTypes}).
 *
 * <p>May import {@code checkpoint}, {@code hub}, {@code onnx}; must not import {@code tasks}, {@code export} or
 * {@code cli}.
 */
package org.exporters4j.models;
