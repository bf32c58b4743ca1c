import Foundation
import Tensor
import TensorIO

extension Module {
    /// Parameters and buffers by their PyTorch names, in PyTorch's order (each module's
    /// parameters, then its buffers, depth first).
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        namedModules().flatMap { path, module in
            let prefix = path.isEmpty ? "" : path + "."
            return module.namedOwnParameters.map { (prefix + $0.name, $0.parameter.value.detached()) }
                + module.namedOwnBuffers.map { (prefix + $0.name, $0.buffer.value) }
        }
    }

    /// Copies `tensors` into the model's parameters and buffers.
    ///
    /// With `strict` (the default), the keys must match exactly, as PyTorch's
    /// `load_state_dict(strict=True)`; without it, missing and unexpected keys are ignored.
    /// Shapes must always match. Nothing is changed unless everything fits.
    public func loadStateDict(_ tensors: [String: Tensor], strict: Bool = true, source: String = "state dict") throws {
        let parameters = namedParameters(), buffers = namedBuffers()
        try StateDictError.check(
            tensors,
            fit: parameters.map { ($0.name, $0.parameter.shape) } + buffers.map { ($0.name, $0.buffer.value.shape) },
            strict: strict, source: source)
        for (name, parameter) in parameters { if let value = tensors[name] { parameter.assign(value) } }
        for (name, buffer) in buffers { if let value = tensors[name] { buffer.value = value.detached() } }
    }

    /// Saves the state dict as a safetensors file that PyTorch reads with
    /// `safetensors.torch.load_file` and `load_state_dict(strict=True)`; written atomically.
    /// `num_batches_tracked` is stored as int64, as PyTorch stores it.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        let state = stateDict()
        try SafeTensors.write(
            Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.tensor) }), metadata: metadata,
            dtypes: SafeTensors.pytorchDTypes(for: state.map(\.name)), to: url)
    }

    /// Loads weights saved by ``save(to:metadata:)`` or by PyTorch (`safetensors.torch.save_file`
    /// of a `state_dict()`), and returns the file's metadata.
    @discardableResult
    public func load(from url: URL, strict: Bool = true) throws -> [String: String] {
        let file = try SafeTensors.read(contentsOf: url)
        try loadStateDict(file.tensors, strict: strict, source: url.path)
        return file.metadata
    }
}
