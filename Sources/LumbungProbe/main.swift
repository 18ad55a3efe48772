import Lumbung
print("probe")
