"""The markdown summary of a run, published as a Prefect artifact and printed by the CLI."""

from __future__ import annotations

from warehouse import RunRecord

__all__ = ["run_summary_markdown"]


def run_summary_markdown(run: RunRecord) -> str:
    """A markdown table of what the run fetched, normalized, quarantined and published."""
    lines = [
        f"# Run {run.run_id} ({run.flow}): {run.status}",
        "",
        "| source | scope | window | status | pages | records | works | quarantined | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for w in run.windows:
        quarantined = sum(dict(w.get("quarantined_by_reason") or {}).values())  # type: ignore[call-overload]
        lines.append(
            f"| {w['source']} | {w['scope']} | {w['start']} .. {w['end']} | {w['status']} | "
            f"{w.get('pages', '')} | {w.get('records_fetched', '')} | {w.get('records_normalized', '')} | "
            f"{quarantined} | {w['seconds']} |"
        )
    lines += ["", "| quarantine reason | rows |", "|---|---|"]
    lines += [f"| {reason} | {n} |" for reason, n in sorted(run.quarantined_by_reason.items())]
    lines += ["", f"Published: {run.works_published} works, {run.authors_published} authors."]
    if run.changes:
        c = run.changes
        lines += [
            f"Works added {c['works_added']}, changed {c['works_changed']}; "
            f"authors added {c['authors_added']}, changed {c['authors_changed']}."
        ]
    if run.coverage:
        shares = ", ".join(f"{label} {share:.1%}" for label, share in run.coverage.items())
        lines += [
            f"Coverage: {shares} (works with abstracts, mentions with affiliations, authors with ORCID)."
        ]
    if run.error:
        lines += ["", f"**Failed windows**: {run.error}"]
    return "\n".join(lines)
