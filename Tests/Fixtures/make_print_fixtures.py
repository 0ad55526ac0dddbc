#!/usr/bin/env python3
"""Writes printing.json: PyTorch's repr() of many tensors, the ground truth for
TensorFormatterTests. Run from any directory with a Python that has torch:

    python Tests/Fixtures/make_print_fixtures.py

Every case records the flat row-major values, the shape, the dtype, the suffixes
the Swift caller would pass (grad_fn / requires_grad; the formatter adds size and
dtype itself), and the exact repr PyTorch printed with default print options.

A view case (`view_…`) instead records a base tensor (shape, dtype, values), the steps
that make a view of it (`view`: transpose, t, permute, slice, select, expand), whether
the view is contiguous, and the repr of the view; the Swift side prints its own view
through `description`, so the formatter reads the view's strides.
"""
import json
import math
import os

import torch

torch.set_printoptions(profile="default", sci_mode=None)
torch.manual_seed(0)

DTYPES = {torch.float32: "float32", torch.float64: "float64",
          torch.int64: "int64", torch.bool: "bool"}
cases = []


def encode(v):
    # JSON has no nan/inf; -0.0 as a string too so no decoder can lose the sign.
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v == 0 and math.copysign(1, v) < 0:
            return "-0.0"
    return v


def add(name, t):
    """Records `t` as PyTorch prints it; caller-side suffixes come from autograd state."""
    assert all(c["name"] != name for c in cases), name
    suffixes = []
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    plain = t.detach()
    cases.append({
        "name": name,
        "shape": list(plain.shape),
        "dtype": DTYPES[plain.dtype],
        "values": [encode(v) for v in plain.reshape(-1).tolist()],
        "suffixes": suffixes,
        "expected": repr(t),
    })


def apply_view(t, steps):
    for step in steps:
        op = step["op"]
        if op == "transpose":
            t = t.transpose(step["dim0"], step["dim1"])
        elif op == "t":
            t = t.t()
        elif op == "permute":
            t = t.permute(*step["dims"])
        elif op == "slice":
            index = [slice(None)] * step["dim"] + [slice(step["start"], step["end"], step["step"])]
            t = t[tuple(index)]
        elif op == "select":
            t = t.select(step["dim"], step["index"])
        elif op == "expand":
            t = t.expand(*step["shape"])
        else:
            raise ValueError(op)
    return t


def add_view(name, base, steps, requires_grad=False):
    """Records repr() of a view of `base`: `shape` and `values` are the base's (row-major);
    the Swift side makes the same view with `view` and prints it through `description`."""
    assert all(c["name"] != name for c in cases), name
    source = base.clone().requires_grad_(requires_grad)
    view = apply_view(source, steps)
    # The view shares the base's storage: not a copy, and (but for select) not contiguous.
    assert view.data_ptr() >= source.data_ptr() and view._base is source, name
    cases.append({
        "name": name,
        "shape": list(base.shape),
        "dtype": DTYPES[base.dtype],
        "values": [encode(v) for v in base.reshape(-1).tolist()],
        "view": steps,
        "contiguous": view.is_contiguous(),
        "expected": repr(view),
    })


def coarse(*shape):
    """randn rounded to 1/256: short JSON for the big summarised cases, still non-integral."""
    return (torch.randn(*shape) * 256).round() / 256


T = torch.tensor
f64 = torch.float64
nan, inf = math.nan, math.inf

# 0-d
add("scalar_float", T(13.352))
x = T([10.0, 16.704], requires_grad=True)
add("scalar_mean_grad_fn", x.mean())
add("scalar_int_valued_float", T(3.0))
add("scalar_zero", T(0.0))
add("scalar_negative_zero", T(-0.0))
add("scalar_nan", T(nan))
add("scalar_neg_inf", T(-inf))
add("scalar_sci_small", T(1e-5))
add("scalar_sci_large", T(1e10))
add("scalar_negative", T(-2.75))
add("scalar_int64", T(42))
add("scalar_int64_negative", T(-7))
add("scalar_bool", T(True))
add("scalar_float64", T(0.1, dtype=f64))
add("scalar_float64_requires_grad", T(2.5, dtype=f64, requires_grad=True))
add("scalar_requires_grad", T(1.0, requires_grad=True))

# 1-d floats
add("vec_int_valued", T([-4.0, 6.0, 1.0]))
add("vec_mixed", T([1.5, 2.0]))
add("vec_fractions", T([0.1, 0.2, 0.3]))
add("vec_negative_mixed", T([-1.25, 3.5, 100.0]))
add("vec_sci_small_and_large", T([1e-5, 1e3]))
add("vec_sci_large", T([1e8 + 512, 1.0]))
add("vec_large_1e9", T([123456789.0, 2.0, 3.0]))
add("vec_exact_1e8_int", T([1e8, 1.0e5]))
add("vec_ratio_1000_not_sci", T([1.0, 1000.0]))
add("vec_ratio_over_1000_sci", T([1.0, 1001.0]))
add("vec_ratio_over_1000_fraction", T([0.5, 600.25]))
add("vec_float32_1e-4_below_threshold_sci", T([0.0001, 0.05]))
add("vec_float64_exact_1e-4_not_sci", T([0.0001, 0.05], dtype=f64))
add("vec_nonfinite_only", T([nan, inf, -inf]))
add("vec_nonfinite_with_fraction", T([nan, 1.5, -inf]))
add("vec_nonfinite_with_ints", T([nan, 1.0, inf, -2.0]))
add("vec_nonfinite_with_sci", T([1e-6, nan, 1.0, inf]))
add("vec_negative_nan", T([nan, -1.5]) * -1)
add("vec_zeros", T([0.0, 0.0, 0.0]))
add("vec_negative_zero", T([-0.0, 0.0, 1.0]))
add("vec_negative_zero_fraction", T([-0.0, 1.5]))
add("vec_negative_zero_sci", T([-0.0, 1e-7]))
add("vec_round_half_even", T([1.03125, 1.09375, 2.00005]))
add("vec_sci_mixed_signs_small", T([0.00012, -0.00004, 0.5]))
add("vec_float32_ratio_sci", T([0.3333333, 2.0 / 3.0, 1e-4 * 3]))
add("vec_float32_rounding", T([0.3333333, 2.0 / 3.0, 0.12345678, 99.99995]))
add("vec_sci_negative", T([-1e-5, 2.5e6, -3.0]))
add("vec_float32_huge", T([3.0e38, -1.0]))
add("vec_float64", T([1.0, 2.5, -3.0], dtype=f64))
add("vec_float64_int_valued", T([1.0, 2.0], dtype=f64))
add("vec_float64_three_digit_exponent", T([1e300, 1e-300], dtype=f64))
add("vec_float64_denormal", T([5e-324, 1.0], dtype=f64))
add("vec_single_element", T([7.0]))
add("vec_randn_wrap", torch.randn(30))
add("vec_randn_sci_wrap", torch.randn(25) * 1e5)
add("vec_int_valued_wrap", torch.arange(40.0) * 37 - 500)
add("vec_float64_wrap", torch.randn(20, dtype=f64))
add("vec_threshold_exact_1000", torch.arange(1000.0) / 8)
add("vec_summarized_1001", torch.arange(1001.0))
add("vec_summarized_randn", coarse(2000))
# The hidden middle would force 4 decimals; only the shown edges choose the format.
add("vec_summarized_edges_decide_format",
    torch.cat([T([1.0, 2.0, 3.0]), torch.full((1000,), 0.123456), T([4.0, 5.0, 6.0])]))

# 1-d int64 / bool
add("int_vec", T([1, 2, 3]))
add("int_vec_negative_widths", T([-1, 100, 5, -20000]))
add("int_vec_extremes", T([9223372036854775807, -9223372036854775808, 0]))
add("int_vec_single_zero", T([0]))
add("int_vec_wrap", torch.arange(50) * 1000 - 3)
add("int_vec_threshold_exact_1000", torch.arange(1000))
add("int_vec_summarized", torch.arange(5000))
add("bool_vec", T([True, False]))
add("bool_vec_all_true", T([True, True]))
add("bool_vec_wrap", torch.arange(30) % 3 == 0)
add("bool_vec_summarized", torch.arange(1500) % 2 == 0)

# empty
add("empty_1d", T([]))
add("empty_0x3", torch.zeros(0, 3))
add("empty_2x0", torch.zeros(2, 0))
add("empty_2x0x3", torch.zeros(2, 0, 3))
add("empty_int64", T([], dtype=torch.int64))
add("empty_int64_2d", torch.zeros(0, 4, dtype=torch.int64))
add("empty_bool", T([], dtype=torch.bool))
add("empty_float64", T([], dtype=f64))
add("empty_float64_requires_grad", torch.zeros(0, 3, dtype=f64, requires_grad=True))
add("empty_requires_grad", torch.zeros(0, requires_grad=True))

# 2-d and higher
add("mat_2x3", T([[1.5, -2.0, 3.25], [0.0, 10.0, -0.5]]))
add("mat_int_valued", T([[1.0, 2.0], [30.0, -4.0]]))
add("mat_int64", T([[1, -2, 3], [400, 5, 6]]))
add("mat_bool", T([[True, False], [False, True]]))
add("mat_sci", T([[1e-8, 1.0], [2.0, 3e5]]))
add("mat_nan_inf", T([[nan, 1.0], [-inf, 2.5]]))
add("mat_float64", T([[1.0, 2.0], [3.5, 4.0]], dtype=f64))
add("mat_single_row", T([[1.0, 2.0, 3.0]]))
add("mat_single_column", T([[1.0], [2.0], [3.0]]))
add("mat_wide_wrap", torch.randn(3, 30))
add("mat_int_wide_wrap", torch.arange(60).reshape(2, 30) * 123)
add("mat_summarized_both", coarse(100, 100))
add("mat_summarized_rows_only", coarse(1000, 2))
add("mat_summarized_cols_only", coarse(2, 1000))
add("mat_summarized_int", torch.arange(10000).reshape(100, 100))
add("mat_summarized_rows_wrap", coarse(40, 40) * 1e6)
add("mat_threshold_exact_1000", torch.arange(1000.0).reshape(10, 100))
add("tensor3d", torch.arange(24.0).reshape(2, 3, 4) / 4)
add("tensor3d_int", torch.arange(24).reshape(2, 3, 4))
add("tensor4d", torch.arange(16.0).reshape(2, 2, 2, 2))
add("tensor3d_wide_wrap", torch.randn(2, 2, 25))
add("tensor3d_summarized", coarse(20, 20, 20))
add("tensor4d_summarized", torch.arange(4096.0).reshape(8, 8, 8, 8))
add("tensor5d_size_one", torch.ones(1, 1, 1, 1, 2))

# suffixes: joining, dtype order, wrapping onto a new line
w = torch.randn(3, requires_grad=True)
add("grad_fn_add", w + 1)
add("grad_fn_mul_2d", torch.randn(2, 2, requires_grad=True) * 2)
add("requires_grad_vec", T([1.0, 2.0], requires_grad=True))
add("requires_grad_float64", T([1.0, 2.0], dtype=f64, requires_grad=True))
add("grad_fn_float64_sum", T([[1.5, 2.0]], dtype=f64, requires_grad=True).sum())
add("grad_fn_suffix_wraps", torch.randn(8, requires_grad=True) * 3)
add("grad_fn_suffix_fits", torch.randn(4, requires_grad=True) * 3)
add("requires_grad_suffix_wraps_after_long_row", torch.arange(13.0).requires_grad_())
add("dtype_and_grad_fn_wrap", (torch.arange(11, dtype=f64) * 1.5).requires_grad_() * 1)
add("grad_fn_after_multiline", torch.randn(30, requires_grad=True).exp())
add("grad_fn_summarized", torch.randn(2000, requires_grad=True).relu())

# views: printed from their strides, through description (the base's values row-major)
m34 = torch.arange(12.0).reshape(3, 4) / 4 - 1
add_view("view_transpose_2d", m34, [{"op": "t"}])
add_view("view_transpose_3d", torch.arange(24).reshape(2, 3, 4), [{"op": "transpose", "dim0": 0, "dim1": 2}])
add_view("view_permute", torch.arange(24.0).reshape(2, 3, 4) * 1.5, [{"op": "permute", "dims": [2, 0, 1]}])
add_view("view_every_other_column", m34, [{"op": "slice", "dim": 1, "start": 0, "end": 4, "step": 2}])
add_view("view_rows_from_offset", m34, [{"op": "slice", "dim": 0, "start": 1, "end": 3, "step": 1},
                                        {"op": "slice", "dim": 1, "start": 1, "end": 4, "step": 1}])
add_view("view_column", m34, [{"op": "select", "dim": 1, "index": 2}])
add_view("view_expand", T([[1.5], [-2.0], [3.25]]), [{"op": "expand", "shape": [3, 4]}])
add_view("view_expand_int", T([7, -8, 9]), [{"op": "expand", "shape": [2, 3]}])
add_view("view_bool_transpose", T([[True, False, True], [False, False, True]]), [{"op": "t"}])
add_view("view_sci_transpose", T([[1e-8, 1.0], [2.0, 3e5]]), [{"op": "t"}])
add_view("view_summarized_transpose", torch.arange(10000.0).reshape(100, 100), [{"op": "t"}])
add_view("view_summarized_strided", torch.arange(4000).reshape(2, 2000),
         [{"op": "slice", "dim": 1, "start": 1, "end": 2000, "step": 3}])
add_view("view_transpose_grad", m34, [{"op": "transpose", "dim0": 0, "dim1": 1}], requires_grad=True)
add_view("view_slice_grad", m34, [{"op": "slice", "dim": 1, "start": 0, "end": 4, "step": 2}],
         requires_grad=True)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "printing.json")
with open(out, "w") as f:
    # One case per line: readable diffs without a line per value.
    f.write("[\n" + ",\n".join(json.dumps(c) for c in cases) + "\n]\n")
print(f"wrote {len(cases)} cases (torch {torch.__version__})")
