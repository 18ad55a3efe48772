import Lumbung
print("lumbung")
