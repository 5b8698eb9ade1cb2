"""Eight uint64 words as one value of the kernels: a 512-bit vector (LLVM <8 x i64>).

The annealing kernel works on sets of patterns, rows of uint64 words (bitplanes.py).  Written
word by word its loops do not vectorize (numba cannot tell the arrays apart, so every word is
loaded and stored on its own).  Here a block of 8 consecutive words is a numba value of type
`Lanes`, held in one AVX-512 register (two AVX2 ones) by LLVM: `load(a, (i, j))` reads the
8 words a[i, j, 0:8], `store(a, (i, j), x)` writes them, `splat(w)` repeats one word,
and the bitwise operators & | ^ ~ (and &= |= ^=) act lane-wise, so the kernel reads as its scalar version did.
`popcount(x)` counts the set bits of all 8 words (vpopcntq where the CPU has it).
"""

import operator

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.datamodel import models
from numba.core.extending import intrinsic, overload, register_model

WIDTH = 8
_vector = ir.VectorType(ir.IntType(64), WIDTH)


class Lanes(types.Type):
    """Type of a block of WIDTH uint64 words held as one vector."""

    def __init__(self):
        super().__init__(name="Lanes")


lanes_type = Lanes()


@register_model(Lanes)
class _LanesModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _vector)


def _address(context, builder, array_type, array, index_type, index):
    """Address (as <8 x i64>*) of array[index..., 0]; index an integer or a tuple of them."""
    if isinstance(index_type, types.Integer):
        index_type, index = (index_type,), (index,)
    else:
        index = [builder.extract_value(index, i) for i in range(len(index_type))]
    index = [context.cast(builder, v, t, types.intp) for v, t in zip(index, index_type)]
    ary = context.make_array(array_type)(context, builder, array)
    zero = ir.Constant(ir.IntType(64), 0)
    ptr = cgutils.get_item_pointer(context, builder, array_type, ary, [*index, zero], wraparound=False)
    return builder.bitcast(ptr, _vector.as_pointer())


def _indexes(array, index):
    """Is `index` (an integer or a tuple of integers) a block of WIDTH words of C-contiguous uint64 `array`?"""
    count = 1 if isinstance(index, types.Integer) else len(index) if isinstance(index, types.BaseTuple) else -1
    return (isinstance(array, types.Array) and array.dtype == types.uint64 and array.layout == "C"
            and count == array.ndim - 1 and (count == 1 or all(isinstance(i, types.Integer) for i in index)))


@intrinsic
def load(typingctx, array, index):
    """The WIDTH words array[index..., 0:WIDTH] as Lanes (the last axis has WIDTH words)."""
    if not _indexes(array, index):
        return None

    def codegen(context, builder, signature, args):
        return builder.load(_address(context, builder, signature.args[0], args[0], signature.args[1], args[1]), align=8)

    return lanes_type(array, index), codegen


@intrinsic
def store(typingctx, array, index, value):
    """array[index..., 0:WIDTH] = value."""
    if not (_indexes(array, index) and value == lanes_type):
        return None

    def codegen(context, builder, signature, args):
        builder.store(args[2], _address(context, builder, signature.args[0], args[0], signature.args[1], args[1]), align=8)
        return context.get_dummy_value()

    return types.none(array, index, value), codegen


@intrinsic
def splat(typingctx, word):
    """Lanes with every word equal to `word` (a uint64)."""
    if word != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        one = builder.insert_element(ir.Constant(_vector, ir.Undefined), args[0], ir.Constant(ir.IntType(32), 0))
        return builder.shuffle_vector(one, ir.Constant(_vector, ir.Undefined), ir.Constant(ir.VectorType(ir.IntType(32), WIDTH), [0] * WIDTH))

    return lanes_type(word), codegen


@intrinsic
def popcount(typingctx, x):
    """Number of set bits in the WIDTH words of x, as int64."""
    if x != lanes_type:
        return None

    def codegen(context, builder, signature, args):
        ctpop = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_vector, [_vector]), "llvm.ctpop.v8i64")
        total = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(64), [_vector]),
                                               "llvm.vector.reduce.add.v8i64")
        return builder.call(total, [builder.call(ctpop, [args[0]])])

    return types.int64(x), codegen


def _binary(name, emit):
    @intrinsic
    def op(typingctx, x, y):
        if x != lanes_type or y != lanes_type:
            return None

        def codegen(context, builder, signature, args):
            return emit(builder, *args)

        return lanes_type(x, y), codegen

    op.__name__ = name
    return op


_and = _binary("_and", lambda b, x, y: b.and_(x, y))
_or = _binary("_or", lambda b, x, y: b.or_(x, y))
_xor = _binary("_xor", lambda b, x, y: b.xor(x, y))


@intrinsic
def _invert(typingctx, x):
    if x != lanes_type:
        return None

    def codegen(context, builder, signature, args):
        return builder.not_(args[0])

    return lanes_type(x), codegen


def _lanewise(python_operator, lane_operator):
    @overload(python_operator)
    def implementation(x, y):
        if x == lanes_type and y == lanes_type:
            return lambda x, y: lane_operator(x, y)


for _pair in ((operator.and_, _and), (operator.or_, _or), (operator.xor, _xor),
              (operator.iand, _and), (operator.ior, _or), (operator.ixor, _xor)):  # a Lanes value is immutable: x &= y rebinds x
    _lanewise(*_pair)


@overload(operator.invert)
def _lanewise_invert(x):
    if x == lanes_type:
        return lambda x: _invert(x)
