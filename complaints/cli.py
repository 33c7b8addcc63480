"""``flask route`` and ``flask evaluate-routing``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask

from complaints.routing import route
from complaints.routing_eval import evaluate, read_jsonl


@click.command("route")
def route_command() -> None:
    """Reads complaint texts from stdin (one per line), writes one JSON object per line."""
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        result = route(text)
        click.echo(json.dumps({"text": text, "region_code": result.region_code,
                               "bureau": result.bureau}, ensure_ascii=False))


@click.command("evaluate-routing")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--misses/--no-misses", default=True, show_default=True)
def evaluate_routing_command(path: Path, misses: bool) -> None:
    """Scores routing on a labelled JSONL file ({"text", "region_code"} per line)."""
    report = evaluate(read_jsonl(path))
    click.echo(f"exact       {report.exact_accuracy:.1%}  ({report.exact}/{report.lines})")
    click.echo(f"city level  {report.city_accuracy:.1%}  ({report.city_level}/{report.lines})")
    if misses and report.misses:
        click.echo(f"\nmisses ({len(report.misses)}):")
        for miss in report.misses:
            click.echo(f"  {miss.text}\n      expected {miss.expected}; got {miss.got} "
                       f"({miss.reason})")


def init_app(app: Flask) -> None:
    app.cli.add_command(route_command)
    app.cli.add_command(evaluate_routing_command)
