"""Two bugs that circulate in popular from-scratch tutorials, planted in
custom components, for `mlplab gradcheck --import` to catch:

    mlplab gradcheck --import docs/examples/planted_bugs.py --activation buggy_elu
    mlplab gradcheck --import docs/examples/planted_bugs.py --activation tanh_over_n

Both are registered through the public API, as your own components would be.
"""

import numpy as np

import mlplab as ml


@ml.activations.register
class BuggyELU(ml.activations.ELU):
    """ELU whose derivative is 0 instead of 1 for positive inputs."""

    name = "buggy_elu"

    def derivative(self, Z, A):
        return np.where(Z > 0, 0.0, A + self.alpha)  # should be 1.0 where Z > 0


@ml.activations.register
class TanhOverN(ml.activations.Tanh):
    """tanh whose backward pass divides by the number of samples again,
    although the upstream gradient already carries the 1/n of the mean loss:
    the hidden layer's gradient ends up divided by n twice."""

    name = "tanh_over_n"

    def backward(self, dA, Z, A, out=None):
        return dA * (1.0 - A * A) / Z.shape[0]  # the extra / n is the bug
