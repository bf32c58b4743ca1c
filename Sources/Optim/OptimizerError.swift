import Foundation

/// An error thrown by the optimizers and learning-rate schedulers of this module.
///
/// Hyper-parameters usually come from the command line or a configuration file, so an
/// invalid value is reported as a thrown error rather than a crash. The message names the
/// optimizer or scheduler, the hyper-parameter, the value received and the allowed range:
///
/// ```swift
/// do {
///     _ = try Adam(model.parameters(), learningRate: -1)
/// } catch let error as OptimizerError {
///     print(error)   // Adam: learning rate must be >= 0, got -1.0
/// }
/// ```
///
/// The same type reports a saved state that does not fit the optimizer it is loaded into
/// (``OptimizerState`` with a different optimizer, group layout, missing key or shape).
public struct OptimizerError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The complete, human-readable message.
    public let message: String

    /// Creates an error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
    public var errorDescription: String? { message }

    /// `"<owner>: <parameter> must be <allowed>, got <value>"`.
    static func invalid(_ owner: String, _ parameter: String, _ value: Double, allowed: String) -> OptimizerError {
        OptimizerError("\(owner): \(parameter) must be \(allowed), got \(value)")
    }

    /// `"<owner>: <parameter> must be <allowed>, got <value>"` for integer settings.
    static func invalid(_ owner: String, _ parameter: String, _ value: Int, allowed: String) -> OptimizerError {
        OptimizerError("\(owner): \(parameter) must be \(allowed), got \(value)")
    }
}

/// Checks shared by all hyper-parameter validations. Each throws the documented message.
enum Check {
    /// A finite value `>= 0`.
    static func nonNegative(_ value: Double, _ owner: String, _ parameter: String) throws {
        guard value >= 0, value.isFinite else { throw OptimizerError.invalid(owner, parameter, value, allowed: ">= 0") }
    }

    /// A finite value `> 0`.
    static func positive(_ value: Double, _ owner: String, _ parameter: String) throws {
        guard value > 0, value.isFinite else { throw OptimizerError.invalid(owner, parameter, value, allowed: "> 0") }
    }

    /// A value in `[0, 1)`.
    static func unitHalfOpen(_ value: Double, _ owner: String, _ parameter: String) throws {
        guard value >= 0, value < 1 else { throw OptimizerError.invalid(owner, parameter, value, allowed: "in [0, 1)") }
    }

    /// A value in `[0, 1]`.
    static func unitClosed(_ value: Double, _ owner: String, _ parameter: String) throws {
        guard value >= 0, value <= 1 else {
            throw OptimizerError.invalid(owner, parameter, value, allowed: "in [0, 1]")
        }
    }

    /// An integer `> 0`.
    static func positive(_ value: Int, _ owner: String, _ parameter: String) throws {
        guard value > 0 else { throw OptimizerError.invalid(owner, parameter, value, allowed: "> 0") }
    }

    /// An integer `>= 0`.
    static func nonNegative(_ value: Int, _ owner: String, _ parameter: String) throws {
        guard value >= 0 else { throw OptimizerError.invalid(owner, parameter, value, allowed: ">= 0") }
    }
}
