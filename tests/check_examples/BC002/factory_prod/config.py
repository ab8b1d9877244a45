class BaseConfig:
    DEBUG = False


class DevConfig(BaseConfig):
    DEBUG = True


class ProdConfig(BaseConfig):
    pass
