import os

from shop import create_app

app = create_app(os.environ.get("SHOP_ENV", "production"))

if __name__ == "__main__":
    app.run(port=int(os.environ.get("PORT", "8000")))
