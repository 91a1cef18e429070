"""The together policy pack; the rules are in together_pulumi.policy (docs/code-review.md lists them)."""

from together_pulumi.policy.pack import serve

serve()
