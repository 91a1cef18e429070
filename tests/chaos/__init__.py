"""The chaos suite: stacks driven through the real CLI while pulumi is killed and the API fails."""
