import FaceKeypoints
import Foundation

// 1. The custom operation's backward agrees with finite differences.
let check = checkGradients(of: { softplus($0[0]) }, at: [Tensor([-3, -0.5, 0.25, 2, 6])], step: 1e-3)
print("softplus gradient check: \(check)")
guard check.maxError < 1e-2 else {
    FileHandle.standardError.write("softplus backward disagrees with finite differences\n".data(using: .utf8)!)
    exit(1)
}

// 2. A model that mixes library layers with both new ones learns y = sin(3x) on [-1, 1].
var generator = RandomGenerator(seed: 1)
let model = Sequential(
    Linear(1, 32, using: &generator), Swish(), Linear(32, 32, using: &generator), Softplus(),
    Linear(32, 1, using: &generator))
print(model)
let x = Tensor.linspace(-1, 1, count: 128).reshaped([128, 1])
let y = (x * 3).sin()
let optimizer = try Adam(model.parameters(), learningRate: 1e-2)
var losses: [Float] = []
for step in 0..<400 {
    optimizer.zeroGrad()
    let loss = mseLoss(model(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item)
    if step % 100 == 0 || step == 399 { print("step \(step): loss \(loss.item)") }
}
let swish = model.layers[1] as! Swish
print("learned Swish beta: \(swish.beta.value.item)")
guard let last = losses.last, last < losses[0] / 20 else {
    FileHandle.standardError.write(
        "training did not reduce the loss twentyfold: \(losses[0]) -> \(losses.last ?? .nan)\n".data(using: .utf8)!)
    exit(1)
}
print("loss fell from \(losses[0]) to \(last)")
