from tests.connector_fixtures import make_user, team

__all__ = ["make_user", "team"]
