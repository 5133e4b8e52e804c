"""The live lookahead plan: tasks, resources, progress, blockers, links and project lists."""
