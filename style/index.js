import './base.css';
import './runs.css';
import './resources.css';
import './images.css';
import './experiments-charts.css';
import './experiments.css';
import './experiments-models.css';
