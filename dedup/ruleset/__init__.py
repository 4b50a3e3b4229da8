"""Declarative rule packs (``rules/*.yaml``): models, loader, rule kinds, the rules stage.

Public API::

    ruleset = load_rules([Path("rules")])     # raises dedup.errors.RuleErrors
    stage = ruleset.stage()                    # DocumentStage, picklable
    ruleset.describe()                         # for the manifest
    ruleset.would_remove(doc)                  # [(line, rule id)] on a copy
    ruleset.run_examples()                     # for `dedup rules test`
"""

from dedup.ruleset.examples import ExampleResult
from dedup.ruleset.ruleset import RuleSet, RulesStage, load_rules

__all__ = ["ExampleResult", "RuleSet", "RulesStage", "load_rules"]
