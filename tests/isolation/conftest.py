from tests.connector_fixtures import make_user

__all__ = ["make_user"]
