from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    DEBUG: bool = False
    DATABASE_URL: str = "postgresql://inventory@db/inventory"
    LOG_LEVEL: str = "info"
