"""The built-in calculator: correct arithmetic, clear refusals, bounded work on any input."""

from __future__ import annotations

import math
import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liteflow.components import (
    CalculatorError,
    ToolExecutionError,
    calculator,
    create_tool_registry,
    evaluate,
)

# Each refusal takes milliseconds; the bound leaves room for a busy machine while still
# catching real work (computing 9**9**9**9 would never finish).
FAST = 0.5


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("2 ** 10", 1024),
        ("2 ** 3 ** 2", 512),
        ("-2 ** 2", -4),
        ("+-+3", -3),
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("-7 // 2", -4),
        ("7 % 3", 1),
        ("1e3 + 0.5", 1000.5),
        ("abs(-5) + round(2.567, 2)", 7.57),
        ("min(3, 1, 2) + max(4, 9)", 10),
        ("sqrt(16) + log(e) + log(8, 2) + log10(1000)", 11.0),
        ("floor(2.7) + ceil(2.1) + factorial(5)", 125),
        ("round(7.5)", 8),
        ("（1 + 2）× 3 ÷ 3", 3.0),  # full-width brackets and ×/÷ as people type them
        ("2 ** -1", 0.5),
        ("(-1) ** 1000001", -1),
        ("1 ** 99999999999999", 1),
    ],
)
def test_valid_expressions(expression: str, expected: float) -> None:
    result = evaluate(expression)
    assert result == pytest.approx(expected)
    assert type(result) is type(expected) or isinstance(expected, float)


def test_trigonometry_and_constants() -> None:
    assert evaluate("sin(pi / 2)") == pytest.approx(1.0)
    assert evaluate("cos(0) + tan(0)") == pytest.approx(1.0)
    assert evaluate("exp(1) - e") == pytest.approx(0.0)
    assert evaluate("degrees(tau)") == pytest.approx(360.0)
    assert evaluate("hypot(3, 4)") == 5.0


def test_big_integers_within_the_limit_are_exact() -> None:
    assert evaluate("2 ** 4000") == 2**4000
    assert evaluate("factorial(100)") == math.factorial(100)


@pytest.mark.parametrize(
    ("expression", "msg_id", "fragment_en"),
    [
        ("__import__('os')", "calc.unknown_name", "unknown name __import__"),
        ("__import__('os').system('echo hi')", "calc.not_allowed", "a.b is not allowed"),
        ("(1).__class__", "calc.not_allowed", "a.b is not allowed"),
        ("math.sqrt(4)", "calc.not_allowed", "a.b is not allowed"),
        ("open('/etc/passwd')", "calc.unknown_name", "unknown name open"),
        ("x + 1", "calc.unknown_name", "unknown name x"),
        ("[1, 2][0]", "calc.not_allowed", "a[b] is not allowed"),
        ("lambda: 1", "calc.not_allowed", "lambda"),
        ("1 if 2 else 3", "calc.not_allowed", "a if b else c"),
        ("[x for x in (1, 2)]", "calc.not_allowed", "[a for b in c]"),
        ("~5", "calc.not_allowed", "~ is not allowed"),
        ("'a' * 3", "calc.not_allowed", "'a'"),
        ("1 << 100", "calc.not_allowed", "<<"),
        ("1 < 2", "calc.not_allowed", "a < b"),
        ("True + 1", "calc.not_allowed", "True"),
        ("2j * 2", "calc.not_allowed", "2j"),
        ("sqrt(x=4)", "calc.keyword_arguments", "sqrt takes no keyword arguments"),
        ("max(" + "1," * 60 + "1)", "calc.too_many_arguments", "max takes at most 50"),
        ("min()", "calc.bad_call", "wrong arguments for min"),
        ("(y := 3)", "calc.not_allowed", "a := b"),
        ("1 +", "calc.syntax", "syntax error"),
        ("", "calc.empty", "empty"),
        ("1 / 0", "calc.division_by_zero", "division by zero"),
        ("5 % 0", "calc.division_by_zero", "division by zero"),
        ("sqrt(-1)", "calc.math_error", "math error"),
        ("log(0)", "calc.math_error", "math error"),
        ("(-8) ** (1/3)", "calc.math_error", "math error"),
        ("factorial(1000)", "calc.argument_range", "factorial must be an integer from 0 to 450"),
        ("factorial(2.5)", "calc.argument_range", "factorial"),
        ("round(5, -10 ** 9)", "calc.argument_range", "round must be an integer from -100"),
    ],
)
def test_refusals_are_calculator_errors_with_both_languages(
    expression: str, msg_id: str, fragment_en: str
) -> None:
    with pytest.raises(CalculatorError) as caught:
        evaluate(expression)
    error = caught.value
    assert error.msg_id == msg_id
    assert error.tool == "calculator"
    assert fragment_en in error.render("en")
    assert error.render("zh").startswith("计算器（calculator）：")


@pytest.mark.parametrize(
    "expression",
    [
        "9**9**9**9",
        "9**9**9",
        "10**100000",
        "2**4097",
        "(2**4000)**(2**4000)",
        "factorial(450) * factorial(450)",
        "1e308 * 10",
        "exp(1000)",
        "10.0 ** 400",
        "2 ** 4000 * 2 ** 4000 * 2 ** 4000",
        "(10**1000) / 3",
    ],
)
def test_huge_results_are_refused_quickly(expression: str) -> None:
    start = time.perf_counter()
    with pytest.raises(CalculatorError) as caught:
        evaluate(expression)
    assert time.perf_counter() - start < FAST
    assert caught.value.msg_id == "calc.too_large"
    assert "too large" in caught.value.render("en")
    assert "结果太大" in caught.value.render("zh")


@pytest.mark.parametrize(
    "expression",
    [
        "1+" * 100_000 + "1",
        "(" * 5_000 + "1" + ")" * 5_000,
        "-" * 999 + "1",
        "+".join(["9**9**9"] * 120),
        "max(" + ",".join(["1"] * 400) + ")",
        "sqrt(" * 200 + "2" + ")" * 200,
    ],
)
def test_adversarial_input_is_refused_with_bounded_work(expression: str) -> None:
    start = time.perf_counter()
    with pytest.raises(CalculatorError):
        evaluate(expression)
    assert time.perf_counter() - start < FAST


def test_long_flat_sums_and_redundant_parentheses_are_fine() -> None:
    terms = [str(i) for i in range(1, 301)]
    assert evaluate(" + ".join(terms)) == sum(range(1, 301))
    assert evaluate("1" + "-1" * 999) == -998
    assert evaluate("(" * 150 + "1" + ")" * 150) == 1


def _exprs() -> st.SearchStrategy[tuple[str, Fraction]]:
    """Random expressions over small integers, with their exact value."""
    leaf = st.integers(0, 50).map(lambda n: (str(n), Fraction(n)))

    def extend(children: st.SearchStrategy[tuple[str, Fraction]]) -> st.SearchStrategy[
        tuple[str, Fraction]
    ]:
        def combine(a: tuple[str, Fraction], op: str, b: tuple[str, Fraction]) -> tuple[
            str, Fraction
        ]:
            value = {"+": a[1] + b[1], "-": a[1] - b[1], "*": a[1] * b[1]}[op]
            return f"({a[0]} {op} {b[0]})", value

        negated = children.map(lambda c: (f"-{c[0]}", -c[1]))
        return st.one_of(
            st.builds(combine, children, st.sampled_from("+-*"), children), negated
        )

    return st.recursive(leaf, extend, max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(_exprs())
def test_matches_exact_arithmetic(case: tuple[str, Fraction]) -> None:
    expression, expected = case
    assert evaluate(expression) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789+-*/%().e ,sqrtlogpiabcx_'[]", max_size=60))
def test_any_text_gives_a_number_or_a_calculator_error(text: str) -> None:
    try:
        result = evaluate(text)
    except CalculatorError:
        return
    assert isinstance(result, int | float)
    assert not isinstance(result, bool)


def test_calculator_is_a_registered_tool() -> None:
    registry = create_tool_registry(calculator)
    assert registry.execute_tool("calculator", expression="(3 + 4) * 6") == 42
    assert calculator("2 ** 5") == 32
    schema = registry.openai_tools()[0]["function"]["parameters"]
    assert schema["required"] == ["expression"]
    # A refusal through the registry is still a calculator error, and a tool execution error.
    with pytest.raises(ToolExecutionError) as caught:
        registry.execute_tool("calculator", expression="__import__('os')")
    assert isinstance(caught.value, CalculatorError)
