"""Tickets: models, intake, routing, workflow and deadlines, staff admin, weekly digest."""
