/**
 * TensorFlow checkpoints: {@code tf_model.h5}, the Keras HDF5 weights file Transformers' TF models write with
 * {@code save_pretrained}, read as the PyTorch state dict Transformers would build from it
 * ({@code from_pretrained(..., from_tf=True)}): TF weight names become PyTorch names, dense and convolution kernels
 * are transposed into PyTorch's layout, and the tensors a PyTorch model has but a TF file does not store (tied
 * weights, registered buffers) are presented as PyTorch would hold them.
 *
 * <p>The HDF5 structure is read with io.jhdf; tensor data are memory-mapped from the file with the parent package's
 * {@code MappedFile}, never copied whole onto the heap (a chunked dataset, which has no single offset, is the one
 * exception: jhdf reads it whole). Imports only its parent package {@code org.exporters4j.checkpoint} and the root.
 */
package org.exporters4j.checkpoint.h5;
