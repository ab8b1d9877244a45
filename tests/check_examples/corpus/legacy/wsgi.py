from app import app

if __name__ == "__main__":
	if app.debug:
		print "debug"
	app.run()
