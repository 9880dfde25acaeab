"""Pyomo's linear walker (``LinearRepnVisitor``), the same answer for less Python.

:func:`bekostiging.simulate.handoff.compile_lp` walks every objective and constraint body
with Pyomo's ``LinearRepnVisitor``, the walker of the LP writer. Its generic machinery
(``StreamBasedExpressionVisitor``: enter/before/exit callbacks and dispatch per node) is
about half of the hand-off's CPU time in the simulation. :class:`FastLinearWalker` walks
the same tree recursively and calls **the visitor's own handlers** for every node it does
not inline (the before-child dispatcher, the exit-node dispatcher, ``LinearRepn.append``,
``finalizeResult``), so it does the same arithmetic in the same order. The few cases it
inlines are the commonest children of a sum — a variable, a monomial ``c * x`` with a
number ``c``, a linear expression of such — and they repeat the handlers' steps for a
variable the writer has already recorded (``record_monomial`` then ``append``), with the
same operations on the same numbers. Anything else goes through the handlers.

What it shares with the visitor: the variable recorder (the columns' order), the named
expressions' cache and the evaluator of constant sub-expressions. A tree too deep for
Python's recursion is walked again by the visitor from the start (as the visitor itself
falls back to its non-recursive walk): the recorder only adds what it has not seen and the
cache holds only finished sub-expressions, so the result is the visitor's.

``tests/test_simulate_fast.py`` compares the two walkers' LPs array by array on the
simulation's models (planner, MPP plan, chain run, template).
"""

from __future__ import annotations

from typing import Any

from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import MonomialTermExpression, NegationExpression
from pyomo.repn.linear import LinearRepn, LinearRepnVisitor
from pyomo.repn.util import ExprType, sum_like_expression_types

_CONSTANT = ExprType.CONSTANT
_LINEAR = ExprType.LINEAR


class FastLinearWalker:
    """``visitor.walk_expression`` (a :class:`LinearRepnVisitor`), recursively, with the
    visitor's handlers; see the module docstring."""

    def __init__(self, visitor: LinearRepnVisitor) -> None:
        if visitor.Result is not LinearRepn:
            raise TypeError("the walker repeats LinearRepnVisitor with LinearRepn results only")
        self.visitor = visitor
        self.var_map = visitor.var_map
        self.before = visitor.before_child_dispatcher
        self.exit = visitor.exit_node_dispatcher

    def walk_expression(self, expr: Any) -> LinearRepn:
        visitor = self.visitor
        try:
            result = self._node(expr)
        except RecursionError:
            return visitor.walk_expression(expr)
        return visitor.finalizeResult(result)

    # ------------------------------------------------------------------ nodes

    def _node(self, node: Any) -> tuple[Any, Any]:
        """(type, value) of ``node``: the before-child handler, else the node walked."""
        cls = node.__class__
        if cls in native_numeric_types:
            return _CONSTANT, node
        descend, result = self.before[cls](self.visitor, node)
        return self._walk(node) if descend else result

    def _walk(self, node: Any) -> tuple[Any, Any]:
        """Enter, every child, exit: ``StreamBasedExpressionVisitor`` with the visitor's callbacks."""
        cls = node.__class__
        if cls in sum_like_expression_types:
            data = LinearRepn()
            self._sum_into(data, node.args)
            return data.walker_exitNode()
        if cls is NegationExpression:
            (arg,) = node.args
            child = self._node(arg)
            return self.exit[(cls, child[0])](self.visitor, node, child)
        args = [self._node(a) for a in node.args]
        return self.exit[(cls, *(a[0] for a in args))](self.visitor, node, *args)

    def _sum_into(self, data: LinearRepn, args: Any) -> None:
        """The children of a sum appended to ``data`` (``LinearRepn.append``), the commonest
        inline: each step as ``record_monomial`` and ``append`` do it for a recorded variable."""
        var_map = self.var_map
        linear = data.linear
        for child in args:
            cls = child.__class__
            if cls is VarData or cls is MonomialTermExpression:
                if cls is VarData:
                    coef: Any = 1
                    var = child
                else:
                    coef, var = child._args_
                    if coef.__class__ not in native_numeric_types:
                        data.append(self._node(child))
                        continue
                vid = id(var)
                if vid in var_map and coef:
                    # record_monomial into a fresh repn: {vid: coef}, constant 0; then append
                    # with multiplier 1: constant += 0, linear[vid] += coef (or = coef)
                    data.constant += 0
                    if vid in linear:
                        linear[vid] += coef
                    else:
                        linear[vid] = coef
                    continue
                data.append(self._node(child))
            elif cls in native_numeric_types:
                data.constant += child  # append of a constant
            else:
                data.append(self._node(child))


def fast_linear(expr_visitor: LinearRepnVisitor) -> FastLinearWalker:
    """The fast walker on ``expr_visitor``'s recorder, cache and handlers."""
    return FastLinearWalker(expr_visitor)


__all__ = ["FastLinearWalker", "fast_linear"]
