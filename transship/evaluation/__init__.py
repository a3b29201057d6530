"""How well flags rank: against labels of a synthetic world, and against what really happened."""
