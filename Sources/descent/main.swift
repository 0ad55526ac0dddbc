import Descent

let x = Tensor([166, 176, 171, 173, 169])
let y = Tensor([58.7, 75.7, 62.1, 70.4, 60.1])
let X = x - x.mean()
let Y = y - y.mean()
print(X, Y)
let W = Tensor(1.0, requiresGrad: true)
let B = Tensor(1.0, requiresGrad: true)
let Yp = W * X + B
print("Yp =", Yp)
let loss = ((Yp - Y) ** 2).mean()
print("loss =", loss)
loss.backward()
print(W.grad!, B.grad!)
let a = Tensor([[1, 2, 3], [4, 5, 6]])
print(a.matmul(a.T), a[.all, 1], a[1], a.sum(dim: 0), a.max(dim: 1).indices)
