"""train-sklearn: fit a scikit-learn estimator on a table."""
import joblib
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder

from conveyor_component import fail, params, read_table, tracking

p = params({"target": "target", "task": "classification", "algorithm": "random_forest", "n_estimators": 100,
            "max_depth": 0, "learning_rate": 0.1, "C": 1.0, "seed": 0})
df = read_table("train")
if p["target"] not in df.columns:
    fail(f"target column {p['target']} is not in the table (columns: {', '.join(map(str, df.columns))})")
X, y = df.drop(columns=[p["target"]]), df[p["target"]]
depth = p["max_depth"] or None
classify = p["task"] == "classification"
if p["algorithm"] == "random_forest":
    cls = RandomForestClassifier if classify else RandomForestRegressor
    est = cls(n_estimators=p["n_estimators"], max_depth=depth, random_state=p["seed"])
elif p["algorithm"] == "gradient_boosting":
    cls = GradientBoostingClassifier if classify else GradientBoostingRegressor
    est = cls(n_estimators=p["n_estimators"], max_depth=depth or 3, learning_rate=p["learning_rate"], random_state=p["seed"])
else:
    est = LogisticRegression(C=p["C"], max_iter=1000) if classify else Ridge(alpha=1.0 / p["C"])
text = [c for c in X.columns if X[c].dtype.kind not in "biuf"]
numeric = [c for c in X.columns if c not in text]
prep = ColumnTransformer([("num", SimpleImputer(strategy="median"), numeric),
                          ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), text)])
model = Pipeline([("prep", prep), ("model", est)])
model.fit(X, y)
model.conveyor_ = {"target": p["target"], "task": p["task"], "features": list(X.columns)}
joblib.dump(model, "model.pkl")
score = float(model.score(X, y))
mlflow = tracking()
if mlflow:
    with mlflow.start_run():
        mlflow.log_params({k: p[k] for k in ("target", "task", "algorithm", "n_estimators", "max_depth", "learning_rate", "C", "seed")})
        mlflow.log_metric("train_score", score)
print(f"trained {p['algorithm']} ({p['task']}) on {len(df)} rows; train score {score:.4f}")
