import Foundation

/// Everything needed to continue a run exactly where it stopped: the model's weights and
/// buffers, the optimizer's and the schedule's state, the run's random generator, the
/// finished epochs and the metrics so far, and what the run trained on (the data's
/// fingerprints, the thread count, which decides how sums are split and so how they round, and
/// the number of data-parallel ranks).
/// One safetensors file, written atomically (temporary file, fsync, rename) after every epoch,
/// so a run killed at any moment resumes from the last finished epoch.
struct TrainingCheckpoint {
    var epoch: Int
    var model: [String: Tensor]
    var optimizer: OptimizerState
    var scheduler: SchedulerState?
    var generator: RandomGenerator
    var history: TrainingHistory
    var configuration: TrainingConfiguration
    var spec: KeypointModelSpec
    /// The training and validation sets' fingerprints (nil in checkpoints of earlier versions).
    var data: TrainingDataFingerprints?
    /// ``ComputeThreads/count`` of the run (nil in checkpoints of earlier versions).
    var threads: Int?
    /// The number of data-parallel ranks (nil in checkpoints of earlier versions: 1); the
    /// configuration's batch size is per rank.
    var ranks: Int? = nil
    /// The moving average of the weights and how many steps it has averaged (runs with
    /// `movingAverageDecay` only).
    var movingAverage: (state: [String: Tensor], updates: Int)? = nil

    static let fileName = "checkpoint.safetensors"

    func write(to url: URL) throws {
        var sections = ["model": model, "optimizer": optimizer.tensors]
        if let movingAverage { sections["average"] = movingAverage.state }
        let tensors = SafeTensors.joining(sections)
        let encoder = JSONEncoder.sorted
        func json<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        var metadata = [
            "checkpoint.epoch": String(epoch),
            "checkpoint.optimizer": try optimizer.encodedMetadata(),
            "checkpoint.generator": try json(generator),
            "checkpoint.history": try json(history),
            "checkpoint.configuration": try json(configuration),
            KeypointModelFile.specKey: try json(spec)
        ]
        if let scheduler { metadata["checkpoint.scheduler"] = try json(scheduler) }
        if let data { metadata["checkpoint.data"] = try json(data) }
        if let threads { metadata["checkpoint.threads"] = String(threads) }
        if let ranks { metadata["checkpoint.ranks"] = String(ranks) }
        if let movingAverage { metadata["checkpoint.average.updates"] = String(movingAverage.updates) }
        try SafeTensors.write(
            tensors, metadata: metadata, dtypes: SafeTensors.pytorchDTypes(for: tensors.keys), to: url)
    }

    static func read(from url: URL) throws -> TrainingCheckpoint {
        let file = try SafeTensors.read(contentsOf: url)
        func field(_ key: String) throws -> String {
            guard let value = file.metadata[key] else {
                throw TrainingError.checkpointMismatch(
                    file: url.path, reason: "the metadata has no '\(key)'; the file is not a FaceKeypoints checkpoint")
            }
            return value
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            do {
                return try JSONDecoder().decode(type, from: Data(try field(key).utf8))
            } catch let error as TrainingError {
                throw error
            } catch {
                throw TrainingError.checkpointMismatch(
                    file: url.path, reason: "metadata '\(key)' is not valid: \(error)")
            }
        }
        func count(_ key: String) throws -> Int {
            guard let value = Int(try field(key)), value >= 0 else {
                throw TrainingError.checkpointMismatch(
                    file: url.path, reason: "metadata '\(key)' is not a whole number")
            }
            return value
        }
        let epoch = try count("checkpoint.epoch")
        return TrainingCheckpoint(
            epoch: epoch,
            model: file.tensors(inSection: "model"),
            optimizer: try OptimizerState(
                encodedMetadata: try field("checkpoint.optimizer"), tensors: file.tensors(inSection: "optimizer")),
            scheduler: file.metadata["checkpoint.scheduler"] == nil
                ? nil : try decode(SchedulerState.self, "checkpoint.scheduler"),
            generator: try decode(RandomGenerator.self, "checkpoint.generator"),
            history: try decode(TrainingHistory.self, "checkpoint.history"),
            configuration: try decode(TrainingConfiguration.self, "checkpoint.configuration"),
            spec: try decode(KeypointModelSpec.self, KeypointModelFile.specKey),
            data: file.metadata["checkpoint.data"] == nil
                ? nil : try decode(TrainingDataFingerprints.self, "checkpoint.data"),
            threads: try file.metadata["checkpoint.threads"].map { value in
                guard let threads = Int(value), threads >= 1 else {
                    throw TrainingError.checkpointMismatch(
                        file: url.path, reason: "metadata 'checkpoint.threads' is not a positive whole number")
                }
                return threads
            },
            ranks: try file.metadata["checkpoint.ranks"].map { value in
                guard let ranks = Int(value), ranks >= 1 else {
                    throw TrainingError.checkpointMismatch(
                        file: url.path, reason: "metadata 'checkpoint.ranks' is not a positive whole number")
                }
                return ranks
            },
            movingAverage: file.metadata["checkpoint.average.updates"] == nil
                ? nil
                : (file.tensors(inSection: "average"), try count("checkpoint.average.updates")))
    }
}
