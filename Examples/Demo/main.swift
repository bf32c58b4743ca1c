import FaceKeypoints
print(ComputeThreads.blasCoreName)
