"""axe-core in the page: the serious and critical WCAG 2.1 A/AA violations it finds."""

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
GRAVE = ("serious", "critical")


def grave_violations(page: Page) -> list[str]:
    """One line per serious or critical violation: rule, impact and the first offending nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
          });
          return result.violations.map(v => ({
            id: v.id, impact: v.impact,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
          }));
        }"""
    )
    return [
        f"{page.url} {v['id']} ({v['impact']}): " + " | ".join(v["nodes"])
        for v in found
        if v["impact"] in GRAVE
    ]
