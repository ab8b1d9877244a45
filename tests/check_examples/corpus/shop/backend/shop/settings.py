from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    SECRET_KEY: str = "insecure-dev-key"
    ENABLE_PROFILER: bool = False
    REDIS_URL: str = "redis://localhost:6379/0"
