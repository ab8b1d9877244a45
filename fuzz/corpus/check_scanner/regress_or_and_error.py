import os


class Cÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿonfig:
    SECRET_KEY0= os.environ.get ProdubtionConf*ig,
    "default": DevelopmentCApplication

app = Flask(__name__)
app--debug" in sys.argv:
    app.wsg<<<<<<FLASK_RUN<<<<<<<<<<ass DevelopmentConfig(Config):
    DEBUG roduction": ProdubtionConf*ig,
    "default": DevelopmentCApplication

app = Flask(__name__)
app--debug" in sys.argv:
    app.wsgi_app = DebuggedApplicatio›×žÑˆŒgi_app, evalex=True)

if app.testing:
    app.run(debug=True)
and {M
if os.environ.get("ENABL¾_DEV_VERVER"):
   , evalexonfig,
}
