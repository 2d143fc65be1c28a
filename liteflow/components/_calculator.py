"""A safe arithmetic evaluator: an AST walker over a whitelist, never `eval`.

Work is bounded for any input: the text length, the tree size and depth are limited, and
every operation whose result could be huge (`**`, `*`, `<<`-like growth through pow, `round`
with huge digit counts) is checked *before* it is computed.
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable
from typing import Any, Final, TypeAlias

from ..core.errors import CalculatorError
from ..core.reprs import short_repr
from ._tools import FunctionTool

__all__ = ["calculator", "evaluate"]

Number: TypeAlias = int | float

TOOL_NAME: Final = "calculator"
MAX_LENGTH: Final = 2_000  # characters of expression text
MAX_NODES: Final = 5_000  # AST nodes
MAX_DEPTH: Final = 100  # nesting of the expression (a flat sum counts as one level)
MAX_INT_BITS: Final = 4_096  # about 1,233 decimal digits
MAX_ROUND_DIGITS: Final = 100
MAX_FACTORIAL: Final = 450  # 450! has just under MAX_INT_BITS bits


def _round(x: Number, ndigits: int | None = None) -> Number:
    if ndigits is None:
        return round(x)
    # round(5, -10**9) would compute 10**(10**9): bound the digits first.
    if not isinstance(ndigits, int) or abs(ndigits) > MAX_ROUND_DIGITS:
        raise _fail("calc.argument_range", name="round", low=-MAX_ROUND_DIGITS,
                    high=MAX_ROUND_DIGITS)
    return round(x, ndigits)


def _log(x: Number, base: Number | None = None) -> float:
    return math.log(x) if base is None else math.log(x, base)


def _factorial(n: Number) -> int:
    if not isinstance(n, int) or n < 0 or n > MAX_FACTORIAL:
        raise _fail("calc.argument_range", name="factorial", low=0, high=MAX_FACTORIAL)
    return math.factorial(n)


_FUNCTIONS: Final[dict[str, Callable[..., Number]]] = {
    "abs": abs,
    "round": _round,
    "min": min,
    "max": max,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": _log,
    "ln": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "atan2": math.atan2,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "degrees": math.degrees,
    "radians": math.radians,
    "hypot": math.hypot,
    "floor": math.floor,
    "ceil": math.ceil,
    "trunc": math.trunc,
    "factorial": _factorial,
}
_CONSTANTS: Final[dict[str, float]] = {"pi": math.pi, "e": math.e, "tau": math.tau}
_MAX_ARGS: Final = 50  # for min/max; the others take one or two
_AVAILABLE: Final = ", ".join([*_FUNCTIONS, *_CONSTANTS])

# Refused constructs are shown as a sample of their syntax, which reads the same in any
# language.
_NODE_NAMES: Final[dict[type[ast.AST], str]] = {
    ast.Attribute: "a.b",
    ast.Subscript: "a[b]",
    ast.Lambda: "lambda",
    ast.Compare: "a < b",
    ast.BoolOp: "a and b",
    ast.IfExp: "a if b else c",
    ast.List: "[a, b]",
    ast.Tuple: "(a, b)",
    ast.Dict: "{a: b}",
    ast.Set: "{a, b}",
    ast.ListComp: "[a for b in c]",
    ast.SetComp: "{a for b in c}",
    ast.DictComp: "{a: b for c in d}",
    ast.GeneratorExp: "(a for b in c)",
    ast.JoinedStr: "f'...'",
    ast.NamedExpr: "a := b",
    ast.Starred: "*a",
    ast.Await: "await",
}


def _fail(msg_id: str, **fields: Any) -> CalculatorError:
    return CalculatorError(msg_id, tool=TOOL_NAME, **fields)


def _not_allowed(what: str) -> CalculatorError:
    return _fail("calc.not_allowed", what=what, functions=_AVAILABLE)


class _Evaluator:
    __slots__ = ("expression",)

    def __init__(self, expression: str) -> None:
        self.expression = expression

    def too_large(self) -> CalculatorError:
        return _fail("calc.too_large", expression=self.expression)

    def check(self, value: Number) -> Number:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            if value.bit_length() > MAX_INT_BITS:
                raise self.too_large()
            return value
        if isinstance(value, float):
            if math.isinf(value):
                raise self.too_large()
            if math.isnan(value):
                raise _fail("calc.not_a_number", value="nan")
            return value
        raise _not_allowed(type(value).__name__)

    def eval(self, node: ast.AST, depth: int = 0) -> Number:
        if depth > MAX_DEPTH:
            raise _fail("calc.too_complex")
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise _not_allowed(repr(node.value))
            return self.check(node.value)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand, depth + 1)
            if isinstance(node.op, ast.USub):
                return -operand
            if isinstance(node.op, ast.UAdd):
                return +operand
            raise _not_allowed(_UNARY_SYMBOLS.get(type(node.op), type(node.op).__name__))
        if isinstance(node, ast.BinOp):
            return self.chain(node, depth)
        if isinstance(node, ast.Name):
            if node.id in _CONSTANTS:
                return _CONSTANTS[node.id]
            raise _fail("calc.unknown_name", name=node.id, functions=_AVAILABLE)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise _not_allowed(_NODE_NAMES.get(type(node), type(node).__name__))

    def chain(self, node: ast.BinOp, depth: int) -> Number:
        # `1 + 2 + ... + n` nests n deep on the left; walk that spine in a loop so a long
        # flat sum costs no recursion (only genuinely nested parts count against MAX_DEPTH).
        spine = [node]
        while isinstance(spine[-1].left, ast.BinOp):
            spine.append(spine[-1].left)
        value = self.eval(spine[-1].left, depth + 1)
        for step in reversed(spine):
            right = self.eval(step.right, depth + 1)
            value = self.check(self.binary(step.op, value, right))
        return value

    def binary(self, op: ast.operator, left: Number, right: Number) -> Number:
        try:
            if isinstance(op, ast.Add):
                return left + right
            if isinstance(op, ast.Sub):
                return left - right
            if isinstance(op, ast.Mult):
                if isinstance(left, int) and isinstance(right, int):
                    if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
                        raise self.too_large()
                return left * right
            if isinstance(op, ast.Div):
                return left / right
            if isinstance(op, ast.FloorDiv):
                return left // right
            if isinstance(op, ast.Mod):
                return left % right
            if isinstance(op, ast.Pow):
                return self.power(left, right)
        except ZeroDivisionError:
            raise _fail("calc.division_by_zero") from None
        except OverflowError:
            raise self.too_large() from None
        except ValueError as exc:  # e.g. a negative number to a fractional power
            raise _fail("calc.math_error", error=str(exc)) from None
        raise _not_allowed(_OPERATOR_SYMBOLS.get(type(op), type(op).__name__))

    def power(self, base: Number, exponent: Number) -> Number:
        if isinstance(base, int) and isinstance(exponent, int):
            # Estimate the size of the result before computing it: |b|**n has about
            # n * log2|b| bits. 0, 1 and -1 stay small for any exponent.
            if abs(base) > 1 and exponent > 0 and exponent * math.log2(abs(base)) > MAX_INT_BITS:
                raise self.too_large()
            if exponent < 0 and base == 0:
                raise ZeroDivisionError
            if abs(base) > 1 and exponent < -MAX_INT_BITS:
                return 0.0  # underflows to zero as a float anyway
            if abs(base) <= 1 and abs(exponent) > MAX_INT_BITS:
                exponent = exponent % 2 if base == -1 else 1
            result: Number = base**exponent
            return result
        return math.pow(base, exponent)  # raises on overflow and on domain errors

    def call(self, node: ast.Call, depth: int) -> Number:
        if not isinstance(node.func, ast.Name):
            raise _not_allowed(_NODE_NAMES.get(type(node.func), type(node.func).__name__))
        name = node.func.id
        function = _FUNCTIONS.get(name)
        if function is None:
            raise _fail("calc.unknown_name", name=name, functions=_AVAILABLE)
        if node.keywords:
            raise _fail("calc.keyword_arguments", name=name)
        if len(node.args) > _MAX_ARGS:
            raise _fail("calc.too_many_arguments", name=name, limit=_MAX_ARGS)
        args = [self.eval(arg, depth + 1) for arg in node.args]
        try:
            return self.check(function(*args))
        except CalculatorError:
            raise
        except OverflowError:
            raise self.too_large() from None
        except ZeroDivisionError:
            raise _fail("calc.division_by_zero") from None
        except (TypeError, ValueError) as exc:
            message = str(exc)
            if "domain" in message:
                raise _fail("calc.math_error", error=f"{name}: {message}") from None
            raise _fail("calc.bad_call", name=name, error=message) from None


_OPERATOR_SYMBOLS: Final[dict[type[ast.operator], str]] = {
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.MatMult: "@",
}
_UNARY_SYMBOLS: Final[dict[type[ast.unaryop], str]] = {ast.Invert: "~", ast.Not: "not"}


def _parse(expression: str) -> ast.Expression:
    text = expression.strip()
    if not text:
        raise _fail("calc.empty")
    if len(text) > MAX_LENGTH:
        raise _fail("calc.too_long", length=len(text), limit=MAX_LENGTH)
    # Users and models write these; they mean the ASCII operators.
    text = text.translate(_NORMALIZE)
    try:
        with warnings.catch_warnings():
            # Input like "1if" makes the parser warn; the refusal below is the answer.
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        # exc.msg is English only: the position is what both languages can show.
        raise _fail(
            "calc.syntax", expression=short_repr(expression), position=exc.offset or 1
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise _fail("calc.too_complex") from None
    count = 0
    for _ in ast.walk(tree):
        count += 1
        if count > MAX_NODES:
            raise _fail("calc.too_complex")
    return tree


_NORMALIZE: Final = str.maketrans(
    {"×": "*", "÷": "/", "−": "-", "（": "(", "）": ")", "，": ",", "＋": "+", "＊": "*"}
)


def evaluate(expression: str) -> Number:
    """Evaluate an arithmetic expression safely; `CalculatorError` explains any refusal.

    >>> evaluate("2 + 3 * (4 - 1) ** 2")
    29
    """
    tree = _parse(expression)
    evaluator = _Evaluator(short_repr(expression))
    try:
        return evaluator.eval(tree.body)
    except RecursionError:
        raise _fail("calc.too_complex") from None


def _calculator(expression: str) -> Number:
    """Evaluate an arithmetic expression and return the number.

    Supports numbers, + - * / // % ** and parentheses, and the functions abs, round, min,
    max, sqrt, exp, log (natural, or log(x, base)), log10, log2, sin, cos, tan, asin, acos,
    atan, atan2, sinh, cosh, tanh, degrees, radians, hypot, floor, ceil, trunc, factorial and
    the constants pi, e and tau. Angles are in radians.

    Args:
        expression: The arithmetic expression, e.g. "sqrt(2) * (3 + 4) ** 2".
    """
    return evaluate(expression)


calculator: FunctionTool[[str], Number] = FunctionTool(_calculator, name=TOOL_NAME)
"""The built-in calculator tool: `calculator("1 + 2")` returns 3; register it with a registry."""
