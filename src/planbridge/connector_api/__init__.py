"""What the Power Query connector talks to: the connector API (organisation, projects, export
actions, preview, download) and the flow that runs an export action over published chunks."""
