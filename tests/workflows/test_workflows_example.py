"""The order-flow example runs and tells each order's outcome."""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "workflow_orders.py"


async def test_the_order_flow_example(capsys):
    spec = importlib.util.spec_from_file_location("workflow_orders", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    await module.main()
    out = capsys.readouterr().out
    assert "order-1 {'status': 'shipped', 'tracking': 'TRK-1', 'payment': 'pay-1'}" in out
    assert "order-2 {'status': 'cancelled', 'reason': 'not shipped within 2 days'" in out
    assert "order-3 {'status': 'cancelled', 'reason': 'card declined'}" in out
    assert "order-4 is cancelled" in out
    assert "stateDiagram-v2" in out
