"""``flask understand``, ``flask evaluate`` and ``flask faq check|ask``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from knowledge import faq
from knowledge.evaluate import evaluate as run_evaluation
from knowledge.intents import understand
from knowledge.matcher import ready_matcher

faq_cli = AppGroup("faq", help="The FAQ knowledge base.")


@click.command("understand")
def understand_command() -> None:
    """Reads messages from stdin (one per line), writes one JSON object per line."""
    ready_matcher()
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        result = understand(text)
        click.echo(json.dumps({
            "text": text, "intent": result.intent.value, "faq_id": result.faq_id,
            "candidates": [c.entry_id for c in result.match.candidates[:3]],
            "confidence": round(result.match.confidence, 3),
        }, ensure_ascii=False))


@click.command("evaluate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--misses/--no-misses", default=True, show_default=True)
def evaluate_command(path: Path, misses: bool) -> None:
    """Scores intents and FAQ matching on a labelled JSONL file."""
    ready_matcher()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    report = run_evaluation(rows, understand)
    click.echo(f"intent accuracy   {report.intent_accuracy:.1%}  ({report.intent_correct}/"
               f"{report.lines})")
    click.echo(f"FAQ top-1         {report.faq_top1:.1%}  ({report.top1}/{report.faq_lines})")
    click.echo(f"FAQ top-3         {report.faq_top3:.1%}  ({report.top3}/{report.faq_lines})")
    click.echo(f"unknown rejected  {report.unknown_rejection:.1%}  ({report.unknown_rejected}/"
               f"{report.unknown_lines})")
    if misses and report.misses:
        click.echo(f"\nmisses ({len(report.misses)}):")
        for miss in report.misses:
            click.echo(f"  {miss.text}\n      expected {miss.expected}; got {miss.got}")


@faq_cli.command("check")
def faq_check() -> None:
    """Fails when an entry is malformed or a required topic is missing."""
    entries = faq.load_entries()
    found = faq.problems(entries, faq.required_topics())
    for problem in found:
        click.echo(problem)
    if found:
        raise click.ClickException(f"{len(found)} problem(s) in {len(entries)} entries")
    categories = sorted({e.category for e in entries})
    click.echo(f"{len(entries)} entries in {len(categories)} categories "
               f"({', '.join(categories)}); every required topic present")


@faq_cli.command("ask")
@click.argument("question")
def faq_ask(question: str) -> None:
    """Shows how a question is understood: intent, candidates and scores."""
    ready_matcher()
    result = understand(question)
    click.echo(f"intent {result.intent}  level {result.match.level}  "
               f"confidence {result.match.confidence:.3f}")
    entries = faq.by_id()
    for candidate in result.match.candidates:
        meaning = "" if candidate.semantic is None else f", semantic {candidate.semantic:.3f}"
        click.echo(f"  {candidate.score:.3f}  (lexical {candidate.lexical:.2f}, fuzzy "
                   f"{candidate.fuzzy:.2f}{meaning})  {candidate.entry_id}  "
                   f"{entries[candidate.entry_id].question}")


def init_app(app: Flask) -> None:
    app.cli.add_command(understand_command)
    app.cli.add_command(evaluate_command)
    app.cli.add_command(faq_cli)
