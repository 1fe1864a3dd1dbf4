"""The Dockerfile as Docker reads it, for tests on a machine without Docker: its stages,
each a list of (instruction, arguments), continuation lines joined and comments dropped."""

import json
import re
import shlex
from dataclasses import dataclass, field

from .servers import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "Dockerfile"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def arguments(self, instruction: str) -> list[str]:
        return [args for name, args in self.instructions if name == instruction]

    def environment(self) -> dict[str, str]:
        """The stage's `ENV name=value` pairs (values unquoted as the shell would)."""
        pairs = (
            word.partition("=") for args in self.arguments("ENV") for word in shlex.split(args)
        )
        return {name: value for name, _, value in pairs}

    def command(self) -> list[str]:
        """The exec form of the last CMD."""
        return json.loads(self.arguments("CMD")[-1])


def read_stages(text: str | None = None) -> list[Stage]:
    text = DOCKERFILE.read_text() if text is None else text
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    stages: list[Stage] = []
    for line in joined.splitlines():
        instruction, _, args = line.strip().partition(" ")
        args = " ".join(args.split())
        if instruction.upper() == "FROM":
            base, _, name = args.partition(" AS ")
            stages.append(Stage(base, name or None))
        elif instruction:
            stages[-1].instructions.append((instruction.upper(), args))
    return stages
